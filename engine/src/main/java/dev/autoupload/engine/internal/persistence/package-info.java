/**
 * The journal's database, the data dir's lock, the content hash cache and private files.
 * Not API (see {@link dev.autoupload.engine.internal}).
 */
package dev.autoupload.engine.internal.persistence;
