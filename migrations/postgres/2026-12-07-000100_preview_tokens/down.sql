DROP TABLE preview_tokens;
