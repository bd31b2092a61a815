DROP TABLE club_checkouts;
