"""Engineering issues linked to tickets: URLs recognised, webhooks read, the loop closed when a fix ships."""
