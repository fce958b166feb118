"""The customer timeline: one newest-first stream over every kind of event.

Each source is read with its own (customer, time) index and a keyset cursor, then the
pages are merged, so a page costs the same for a customer with 5 events or 50,000.
"""
