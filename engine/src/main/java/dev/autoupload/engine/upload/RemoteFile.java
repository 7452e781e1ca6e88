package dev.autoupload.engine.upload;

/** A file the target has confirmed as stored under its final name, with the size and hash it verified. */
public record RemoteFile(String remotePath, long size, String sha256) {}
