package dev.autoupload.engine.internal.persistence;

import dev.autoupload.engine.internal.persistence.JournalStore.EventRow;
import dev.autoupload.engine.internal.persistence.JournalStore.Serialized;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.OptionConverters;

/** Events and snapshots to and from the journal's rows, through Pekko's serialization. */
public final class JournalSerialization {

  private final Serialization serialization;

  /**
   * @param system whose serializers apply
   */
  public JournalSerialization(ClassicActorSystemProvider system) {
    this.serialization = SerializationExtension.get(system);
  }

  /** Serializes {@code payload} with the serializer bound to its class. */
  Serialized serialize(Object payload) {
    Serializer serializer = serialization.findSerializerFor(payload);
    String manifest = Serializers.manifestFor(serializer, payload);
    return new Serialized(serializer.identifier(), manifest, serialization.serialize(payload).get());
  }

  /** The object {@code serialized} holds; fails as its serializer does. */
  Object deserialize(Serialized serialized) {
    return serialization.deserialize(serialized.bytes(), serialized.serializerId(), serialized.manifest()).get();
  }

  /**
   * The row for {@code repr}: its payload without the {@link Tagged} wrapper, whose tags go beside.
   *
   * @param now the time to record when the event carries none, in epoch milliseconds
   */
  EventRow toRow(PersistentRepr repr, long now) {
    Object payload = repr.payload();
    Set<String> tags = Set.of();
    if (payload instanceof Tagged tagged) {
      payload = tagged.payload();
      tags = Set.copyOf(CollectionConverters.asJava(tagged.tags()));
    }
    Optional<Serialized> metadata = OptionConverters.toJava(repr.metadata()).map(this::serialize);
    return new EventRow(
        0L,
        repr.persistenceId(),
        repr.sequenceNr(),
        repr.deleted(),
        repr.writerUuid(),
        repr.timestamp() == 0L ? now : repr.timestamp(),
        repr.manifest(),
        serialize(payload),
        metadata,
        tags);
  }

  /**
   * The event {@code row} holds, as Pekko replays it.
   *
   * @param row a row of the journal
   * @return the event with its sequence number, writer, timestamp and metadata
   */
  public PersistentRepr toRepr(EventRow row) {
    PersistentRepr repr =
        PersistentRepr.apply(
                deserialize(row.event()), row.sequenceNr(), row.persistenceId(), row.adapterManifest(), row.deleted(), null,
                row.writer())
            .withTimestamp(row.writeTimestamp());
    return row.metadata().isPresent() ? repr.withMetadata(deserialize(row.metadata().get())) : repr;
  }
}
