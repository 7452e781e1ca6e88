package dev.autoupload.engine.internal.serialization;

import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Stands in for persistence-typed's {@code ReplicatedEventSourcingSerializer}, which is built on
 * pekko-remote: Pekko creates every configured serializer when it starts, and the engine runs
 * without remoting (engine/pom.xml). The engine uses no Replicated Event Sourcing, so nothing is
 * ever serialized here (without-remoting.conf binds its classes to none); if something were, it
 * fails saying why.
 */
public final class ReplicatedEventSourcingUnsupported extends SerializerWithStringManifest {

  @Override
  public int identifier() {
    return 40; // the identifier of the serializer it replaces
  }

  @Override
  public String manifest(Object o) {
    throw unsupported();
  }

  @Override
  public byte[] toBinary(Object o) {
    throw unsupported();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    throw unsupported();
  }

  private static UnsupportedOperationException unsupported() {
    return new UnsupportedOperationException(
        "Replicated Event Sourcing needs Pekko remoting, which the engine runs without");
  }
}
