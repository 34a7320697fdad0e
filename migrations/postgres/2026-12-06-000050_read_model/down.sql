DROP TABLE article_summaries;
DROP TABLE article_documents;
