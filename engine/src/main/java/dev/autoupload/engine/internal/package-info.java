/**
 * The engine's machinery: not API. Types here and in the sub-packages are public only because
 * other engine packages and the project's own adapters use them; they change without notice.
 * Embedders use {@link dev.autoupload.engine.UploadEngine} and the types of the other {@code
 * dev.autoupload.engine} packages, none of whose public signatures mention a type from here
 * ({@code PublicApiTest} checks that).
 */
package dev.autoupload.engine.internal;
