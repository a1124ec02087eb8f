"""Task force lifecycle: set up from an adopted steering-group decision, chairs proposed by rule."""
