CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`actor_name` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`details` text,
	`address` text
);
--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_target` ON `audit_log` (`target_type`,`target_id`);--> statement-breakpoint
CREATE TABLE `program_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`version` integer NOT NULL,
	`asset_sha256` text NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`original_name` text,
	`text` text,
	`voice` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`submitted_by` text,
	`submitted_at` integer,
	`decided_by` text,
	`decided_at` integer,
	`reason` text,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`asset_sha256`) REFERENCES `assets`(`sha256`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`submitted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `program_versions_program_version` ON `program_versions` (`program_id`,`version`);--> statement-breakpoint
ALTER TABLE `assets` ADD `mp3_bytes` integer;--> statement-breakpoint
ALTER TABLE `assets` ADD `peaks` text;--> statement-breakpoint
ALTER TABLE `assets` ADD `trimmed_ms` integer;--> statement-breakpoint
ALTER TABLE `programs` ADD `airing_sha256` text REFERENCES assets(sha256);--> statement-breakpoint
ALTER TABLE `programs` ADD `airing_version` integer;--> statement-breakpoint
ALTER TABLE `programs` ADD `latest_version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Programs stored before approval existed aired as uploaded: they become version 1, approved.
INSERT INTO `program_versions` (`id`, `program_id`, `version`, `asset_sha256`, `status`, `source`, `original_name`, `created_by`, `created_at`, `decided_at`)
  SELECT 'pv_' || `id`, `id`, 1, `asset_sha256`, `status`, 'upload', `original_name`, `created_by`, `created_at`, `updated_at` FROM `programs`;--> statement-breakpoint
UPDATE `programs` SET `airing_sha256` = `asset_sha256`, `airing_version` = 1 WHERE `status` = 'approved';
