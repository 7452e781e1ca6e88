package dev.autoupload.engine.freespace;

/** What became of one original after its verification. */
public sealed interface Outcome {

  /** {@return its path in the library} */
  String path();

  /** It was moved or deleted. */
  record Done(Freed freed) implements Outcome {
    @Override
    public String path() {
      return freed.path();
    }
  }

  /** It was left where it is; {@code why} says why, in words fit for the user. */
  record Kept(String path, String why) implements Outcome {}
}
