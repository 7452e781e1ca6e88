package dev.autoupload.cluster;

/**
 * Marks the messages that may cross from one node to another: serialized as Jackson CBOR
 * ({@code cluster-wiring.conf} binds it), never with Java serialization.
 */
public interface ClusterMessage {}
