package dev.autoupload.engine.conditions;

import dev.autoupload.engine.internal.serialization.CborSerializable;
import java.util.Optional;

/**
 * The conditions one library follows and what they decide for it.
 *
 * @param libraryId the library
 * @param own whether they are reported for this library alone ({@code Library.ownConditions}); false
 *     when it follows the device's
 * @param conditions as last reported; empty before the first report
 * @param verdict whether its uploads may run now, and why not
 */
public record LibraryConditions(String libraryId, boolean own, Optional<DeviceConditions> conditions, Verdict verdict)
    implements CborSerializable {}
