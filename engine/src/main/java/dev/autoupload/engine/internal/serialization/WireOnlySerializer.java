package dev.autoupload.engine.internal.serialization;

import org.apache.pekko.serialization.JSerializer;

/**
 * Stands in for a serializer that only a node talking to other nodes needs: those of Pekko's
 * remoting and cluster modules in a local actor system (see {@link LocalSerializers}), and
 * persistence-typed's serializer for Replicated Event Sourcing, which is built on pekko-remote, where
 * the engine runs without it (without-remoting.conf). Pekko makes every configured serializer when
 * it starts; this one is made in no time and refuses to serialize anything, saying why. Every
 * stand-in is equal to every other, as Pekko wants of serializers that share an identifier.
 */
public final class WireOnlySerializer extends JSerializer {

  /** Outside Pekko's reserved 0-40 and unlike any identifier of the serializers the engine binds. */
  static final int IDENTIFIER = 1_729_000_001;

  /** Made by Pekko, by reflection. */
  public WireOnlySerializer() {}

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object message) {
    throw new UnsupportedOperationException(
        "only a cluster node serializes " + message.getClass().getName() + "; this actor system talks to no other node");
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    throw new UnsupportedOperationException("this actor system talks to no other node: it reads nothing from the wire");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WireOnlySerializer;
  }

  @Override
  public int hashCode() {
    return IDENTIFIER;
  }
}
