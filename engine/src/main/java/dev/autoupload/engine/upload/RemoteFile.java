package dev.autoupload.engine.upload;

/**
 * A file the target has confirmed as stored under its final name, with the size and hash it
 * verified. {@code remotePath} is the name as stored, after the target's normalisation (NFC).
 */
public record RemoteFile(String remotePath, long size, String sha256) {}
