DROP TABLE article_documents;
