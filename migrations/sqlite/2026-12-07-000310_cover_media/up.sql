-- An article's cover may be a media item (`cover_image: {media_id, alt}`): its URL,
-- width and height are copied from the item when the article is written (a file is
-- content-addressed, so they never change), and the item cannot be deleted while an
-- article names it (the API answers 409 first).
ALTER TABLE articles ADD COLUMN cover_media_id BIGINT REFERENCES media (id);
ALTER TABLE articles ADD COLUMN cover_image_width INTEGER;
ALTER TABLE articles ADD COLUMN cover_image_height INTEGER;
CREATE INDEX articles_cover_media_idx ON articles (cover_media_id);
