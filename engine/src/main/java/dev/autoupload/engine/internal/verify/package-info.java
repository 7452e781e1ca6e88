/**
 * The verifier that checks a library's backups against its journal and target.
 * Not API (see {@link dev.autoupload.engine.internal}).
 */
package dev.autoupload.engine.internal.verify;
