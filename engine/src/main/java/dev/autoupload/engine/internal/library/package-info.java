/**
 * What the engine's guardian and the library supervisors decide with: restarts of a library,
 * the queue's order.
 * Not API (see {@link dev.autoupload.engine.internal}).
 */
package dev.autoupload.engine.internal.library;
