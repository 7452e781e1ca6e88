/**
 * The condition monitor actor and the upload policy it applies to condition reports.
 * Not API (see {@link dev.autoupload.engine.internal}).
 */
package dev.autoupload.engine.internal.conditions;
