"""“You said, we did”: feedback on how community input shaped decisions."""
