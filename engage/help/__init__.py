"""Help: a short guide for staff in both languages, and a page for the council's IT on running Engage."""
