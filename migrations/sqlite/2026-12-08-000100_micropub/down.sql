DROP TABLE micropub_posts;
