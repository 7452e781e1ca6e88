/**
 * The engine's Micrometer meters.
 * Not API (see {@link dev.autoupload.engine.internal}).
 */
package dev.autoupload.engine.internal.metrics;
