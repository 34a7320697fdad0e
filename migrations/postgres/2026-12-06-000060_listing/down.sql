DROP TABLE listing_counts;
DROP TABLE article_listing;
