"""The execution engine: one small class per execution mode (``modes``), the ``Executor`` that
caches and dispatches them (``executor``), devices (``devices``), and the columns the value
properties run in (``columns``)."""
