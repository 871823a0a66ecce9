"""extractor: news articles about local responses to immigration enforcement -> reviewable tables."""
