package dev.autoupload.engine.internal.serialization;

/**
 * Marker for every message, event and state that crosses a serialization boundary (journal,
 * snapshots). Bound to Jackson CBOR in {@code reference.conf}; Java serialization is never used.
 */
public interface CborSerializable {}
