"""Lambda resolver functions (Powertools), one package per domain; APPSYNC_JS resolvers live in resolvers/js/."""
