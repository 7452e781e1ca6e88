/**
 * The upload actors' shared parts: settings, bandwidth limit, step tracking, known backups.
 * Not API (see {@link dev.autoupload.engine.internal}).
 */
package dev.autoupload.engine.internal.upload;
