//! Diesel table definitions, kept in step with `migrations/` by hand.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        bio -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        family -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sections (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        translations -> Text,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        name_key -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        translations -> Text,
    }
}

diesel::table! {
    articles (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        section_id -> Nullable<BigInt>,
        author_id -> BigInt,
        version -> Integer,
        word_count -> Integer,
        reading_time_minutes -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        excerpt -> Text,
        excerpt_is_custom -> Bool,
        seo_meta_title -> Nullable<Text>,
        seo_meta_description -> Nullable<Text>,
        seo_canonical_url -> Nullable<Text>,
        cover_image_url -> Nullable<Text>,
        cover_image_alt -> Nullable<Text>,
        metadata -> Text,
        toc -> Text,
        body_markdown -> Text,
        body_html -> Text,
        body_text -> Text,
        cover_media_id -> Nullable<BigInt>,
        cover_image_width -> Nullable<Integer>,
        cover_image_height -> Nullable<Integer>,
        locale -> Text,
        translation_group -> Nullable<BigInt>,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> BigInt,
        tag_id -> BigInt,
        position -> Integer,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(articles -> users (author_id));
diesel::joinable!(articles -> sections (section_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    sections,
    tags,
    articles,
    article_tags,
    article_revisions,
    article_documents,
    article_summaries,
    article_listing
);

diesel::table! {
    article_revisions (id) {
        id -> BigInt,
        article_id -> BigInt,
        version -> Integer,
        changed_by -> Nullable<BigInt>,
        content -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(article_revisions -> articles (article_id));

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        key -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> Nullable<BigInt>,
        role -> Text,
        action -> Text,
        resource -> Text,
        resource_id -> Nullable<BigInt>,
        version -> Nullable<Integer>,
        client -> Text,
        api_key_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        name -> Text,
        key_hash -> Text,
        prefix -> Text,
        scopes -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(api_keys -> users (created_by));
diesel::allow_tables_to_appear_in_same_query!(api_keys, users);

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        description -> Nullable<Text>,
        active -> Bool,
        secret -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> BigInt,
        #[sql_name = "type"]
        kind -> Text,
        payload -> Text,
        created_at -> Timestamp,
        dedupe_key -> Nullable<Text>,
        max_webhook_id -> BigInt,
        dispatched_at -> Nullable<Timestamp>,
        leased_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_id -> BigInt,
        attempts -> Integer,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        leased_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_documents (article_id) {
        article_id -> BigInt,
        slug -> Text,
        live_from -> Timestamp,
        format -> Integer,
        etag -> Text,
        updated_at -> Timestamp,
        document -> Text,
        cache_tags -> Text,
        locale -> Text,
        title -> Text,
        translation_group -> Nullable<BigInt>,
    }
}

diesel::table! {
    article_summaries (article_id) {
        article_id -> BigInt,
        etag -> Text,
        summary -> Text,
    }
}

diesel::joinable!(article_documents -> articles (article_id));

diesel::table! {
    article_listing (kind, scope_id, live_from, article_id) {
        kind -> Integer,
        scope_id -> BigInt,
        live_from -> Timestamp,
        article_id -> BigInt,
    }
}

diesel::table! {
    listing_counts (kind, scope_id) {
        kind -> Integer,
        scope_id -> BigInt,
        articles -> BigInt,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        at -> Timestamp,
        status -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> Integer,
    }
}

diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::allow_tables_to_appear_in_same_query!(webhooks, webhook_events, webhook_deliveries, webhook_attempts);

diesel::table! {
    preview_tokens (id) {
        id -> BigInt,
        article_id -> BigInt,
        token_hash -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(preview_tokens -> users (created_by));
diesel::allow_tables_to_appear_in_same_query!(preview_tokens, users);

diesel::table! {
    media (id) {
        id -> BigInt,
        sha256 -> Text,
        ext -> Text,
        content_type -> Text,
        bytes -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        alt -> Nullable<Text>,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(media -> users (uploaded_by));
diesel::allow_tables_to_appear_in_same_query!(media, users);

diesel::table! {
    micropub_posts (article_id) {
        article_id -> BigInt,
        properties -> Text,
        content_kind -> Text,
        named -> Bool,
        status_before_delete -> Nullable<Text>,
    }
}

diesel::joinable!(micropub_posts -> articles (article_id));
diesel::allow_tables_to_appear_in_same_query!(micropub_posts, articles);
