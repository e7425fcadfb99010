SET lock_timeout = '2s';
CREATE INDEX idx ON users (email);
