CREATE TABLE `broadcast_targets` (
	`broadcast_id` text NOT NULL,
	`device_id` text NOT NULL,
	`zone_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`offline_since` integer,
	`sent_at` integer,
	`received_at` integer,
	`started_at` integer,
	`ended_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`broadcast_id`) REFERENCES `broadcasts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `broadcast_targets_pk` ON `broadcast_targets` (`broadcast_id`,`device_id`);--> statement-breakpoint
CREATE TABLE `broadcasts` (
	`id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`zone_ids` text NOT NULL,
	`content_kind` text NOT NULL,
	`title` text NOT NULL,
	`text` text,
	`program_id` text,
	`asset_sha256` text NOT NULL,
	`risk_level` integer,
	`repeat_times` integer DEFAULT 1 NOT NULL,
	`gap_seconds` integer DEFAULT 0 NOT NULL,
	`volume` integer,
	`note` text,
	`test` integer DEFAULT false NOT NULL,
	`source` text DEFAULT 'manual' NOT NULL,
	`cap_alert_id` text,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_by` text,
	`created_by_name` text,
	`created_at` integer NOT NULL,
	`confirmed_by` text,
	`confirmed_at` integer,
	`fired_at` integer,
	`expires_at` integer NOT NULL,
	`cancelled_by` text,
	`cancelled_at` integer,
	`cancel_reason` text,
	FOREIGN KEY (`program_id`) REFERENCES `programs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`asset_sha256`) REFERENCES `assets`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `broadcasts_created` ON `broadcasts` (`created_at`);--> statement-breakpoint
ALTER TABLE `devices` ADD `test` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `zones` ADD `geocodes` text DEFAULT '[]' NOT NULL;