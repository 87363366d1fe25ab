"""The properties.  ``table`` holds the low-level types (``Property``, ``Context``); each other
module defines one group of properties as data in its ``PROPERTIES`` list; ``catalogue`` gathers
them.  Registration runs one way: the catalogue imports the check modules, never the reverse."""
