/**
 * The marker that binds journaled types to Jackson CBOR.
 * Not API (see {@link dev.autoupload.engine.internal}).
 */
package dev.autoupload.engine.internal.serialization;
