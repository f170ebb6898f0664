CREATE TABLE `cap_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`sender` text NOT NULL,
	`identifier` text NOT NULL,
	`sent_at` integer NOT NULL,
	`status` text NOT NULL,
	`msg_type` text NOT NULL,
	`headline` text,
	`severity` text,
	`urgency` text,
	`alert` text NOT NULL,
	`xml` text NOT NULL,
	`signed` integer DEFAULT false NOT NULL,
	`zone_ids` text NOT NULL,
	`action` text NOT NULL,
	`decision` text NOT NULL,
	`state` text NOT NULL,
	`broadcast_id` text,
	`source` text NOT NULL,
	`received_at` integer NOT NULL,
	`handled_by` text,
	`handled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cap_alerts_key` ON `cap_alerts` (`key`);--> statement-breakpoint
CREATE INDEX `cap_alerts_received` ON `cap_alerts` (`received_at`);