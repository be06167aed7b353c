"""Job handlers that show things in Slack: ticket messages and notes, news for key users, pages, App Homes."""
