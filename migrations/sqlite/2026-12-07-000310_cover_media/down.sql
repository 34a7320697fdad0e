DROP INDEX articles_cover_media_idx;
ALTER TABLE articles DROP COLUMN cover_image_height;
ALTER TABLE articles DROP COLUMN cover_image_width;
ALTER TABLE articles DROP COLUMN cover_media_id;
