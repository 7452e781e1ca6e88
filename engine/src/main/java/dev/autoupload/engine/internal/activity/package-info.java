/**
 * The Activity projection and its store: the read model behind the engine's activity queries.
 * Not API (see {@link dev.autoupload.engine.internal}).
 */
package dev.autoupload.engine.internal.activity;
