DROP INDEX webhook_deliveries_untried;
DROP TABLE webhook_attempts;
