"""Route modules: auth_pages (login), uploads (conversationalists), review (themes, frameworks,
decisions), admin (runs, reports, redaction queue, users)."""
