ALTER TABLE `programs` ADD `public` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `programs` ADD `archived` integer DEFAULT false NOT NULL;