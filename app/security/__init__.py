"""Who may do what (roles), where (grid scope), and see which fields (privacy); all in one place."""
