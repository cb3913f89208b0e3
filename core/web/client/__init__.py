"""The back-office web client: apps, list views, forms, bulk actions and export, rendered
on the server from the user's compiled views (:mod:`core.views`)."""
