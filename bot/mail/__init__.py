"""E-mail as a second front door: mail in (webhooks, IMAP), parsed, routed to tickets, and mail out by SMTP
through the job queue. One job per module; see docs/ARCHITECTURE.md ("E-mail")."""
