CREATE TABLE `device_availability` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`online` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `device_availability_device_at` ON `device_availability` (`device_id`,`at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`device_id` text NOT NULL,
	`reason_kind` text NOT NULL,
	`reason` text NOT NULL,
	`count` integer NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	`opened_at` integer NOT NULL,
	`resolved_at` integer,
	`notified_at` integer
);
--> statement-breakpoint
CREATE INDEX `incidents_device_open` ON `incidents` (`device_id`,`resolved_at`);--> statement-breakpoint
CREATE TABLE `plays` (
	`device_id` text NOT NULL,
	`occurrence_id` text NOT NULL,
	`zone_id` text NOT NULL,
	`schedule_id` text,
	`broadcast_id` text,
	`program_id` text NOT NULL,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`priority` text NOT NULL,
	`start_at` integer NOT NULL,
	`end_at` integer NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`played_ms` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`settled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plays_device_occurrence` ON `plays` (`device_id`,`occurrence_id`);--> statement-breakpoint
CREATE INDEX `plays_status_end` ON `plays` (`status`,`end_at`);--> statement-breakpoint
CREATE INDEX `plays_start` ON `plays` (`start_at`);