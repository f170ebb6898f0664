ALTER TABLE `devices` ADD `reported_version` integer;--> statement-breakpoint
ALTER TABLE `devices` ADD `lat` real;--> statement-breakpoint
ALTER TABLE `devices` ADD `lon` real;--> statement-breakpoint
ALTER TABLE `users` ADD `disabled` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `updated_at` integer;