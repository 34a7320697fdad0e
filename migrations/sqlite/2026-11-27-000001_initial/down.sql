DROP TABLE article_tags;
DROP TABLE articles;
DROP TABLE tags;
DROP TABLE sections;
DROP TABLE refresh_tokens;
DROP TABLE users;
