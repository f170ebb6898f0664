CREATE TABLE `manifest_templates` (
	`hash` text PRIMARY KEY NOT NULL,
	`template` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_device_manifests` (
	`device_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`items_hash` text NOT NULL,
	`template_hash` text,
	`issued_at` integer,
	`valid_until` integer,
	`sig` text,
	`envelope` text,
	`published_at` integer NOT NULL,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_device_manifests`("device_id", "version", "items_hash", "envelope", "published_at") SELECT "device_id", "version", "items_hash", "envelope", "published_at" FROM `device_manifests`;--> statement-breakpoint
DROP TABLE `device_manifests`;--> statement-breakpoint
ALTER TABLE `__new_device_manifests` RENAME TO `device_manifests`;--> statement-breakpoint
PRAGMA foreign_keys=ON;