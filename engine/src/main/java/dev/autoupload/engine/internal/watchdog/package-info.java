/**
 * The stall watchdog actor, its settings and its webhook.
 * Not API (see {@link dev.autoupload.engine.internal}).
 */
package dev.autoupload.engine.internal.watchdog;
