ALTER TABLE `schedules` ADD `series` text;--> statement-breakpoint
ALTER TABLE `schedules` ADD `series_offset` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `schedules` ADD `series_anchor` integer;--> statement-breakpoint
ALTER TABLE `schedules` ADD `repeat` text;--> statement-breakpoint
ALTER TABLE `schedules` ADD `valid_until` integer;--> statement-breakpoint
ALTER TABLE `schedules` ADD `skip_holidays` integer DEFAULT false NOT NULL;