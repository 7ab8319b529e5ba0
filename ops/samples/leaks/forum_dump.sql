-- MySQL dump 10.13
INSERT INTO `members` VALUES (1,'admin','admin@example.org','5f4dcc3b5aa765d61d8327deb882cf99'),(2,'hl','huang.lei.demo@gmail.com','e10adc3949ba59abbe56e057f20f883e'),(3,'x','x@example.net','\n');
INSERT INTO `newsletter` VALUES ('a2d0c1b2e3f4a5b6c7d8e9f0a1b2c3d4'),('visitor@example.com');
