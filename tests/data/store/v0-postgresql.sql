--
-- PostgreSQL database dump
--

\restrict bqTVPzmfJv9yfKRlY9Z15pkd4YjOH0Vot1nzXvSGIPPRupUzLeCRfPhH9CEegwx

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: article_countries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.article_countries (
    article_id text NOT NULL,
    country text NOT NULL
);


--
-- Name: article_entities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.article_entities (
    article_id text NOT NULL,
    entity_id text NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    country text,
    mentions integer NOT NULL,
    event_time bigint NOT NULL
);


--
-- Name: article_search; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.article_search (
    article_id text NOT NULL,
    document tsvector NOT NULL
);


--
-- Name: article_topics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.article_topics (
    article_id text NOT NULL,
    topic_id text NOT NULL,
    score double precision NOT NULL,
    event_time bigint NOT NULL
);


--
-- Name: articles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.articles (
    id text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset bigint NOT NULL,
    event_time bigint NOT NULL,
    sort_time bigint NOT NULL,
    source text NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    stored_at bigint NOT NULL
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at bigint NOT NULL
);


--
-- Name: stream_positions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stream_positions (
    topic text NOT NULL,
    kafka_partition integer NOT NULL,
    next_offset bigint NOT NULL
);


--
-- Data for Name: article_countries; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.article_countries VALUES ('c9065503b12649f7a79a5458122129c8', 'PK');
INSERT INTO public.article_countries VALUES ('c9065503b12649f7a79a5458122129c8', 'KZ');
INSERT INTO public.article_countries VALUES ('c9065503b12649f7a79a5458122129c8', 'UZ');
INSERT INTO public.article_countries VALUES ('03accb975c58a6ee73b09a0133037954', 'PK');
INSERT INTO public.article_countries VALUES ('b336cd75019296f646561ce1112bd94d', 'KZ');


--
-- Data for Name: article_entities; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'person:shehbaz-sharif', 'Shehbaz Sharif', 'PERSON', 'PK', 1, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'person:kassym-jomart-tokayev', 'Kassym-Jomart Tokayev', 'PERSON', 'KZ', 5, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'person:asif-ali-zardari', 'Asif Ali Zardari', 'PERSON', 'PK', 2, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'country:PK', 'Pakistan', 'COUNTRY', 'PK', 6, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'country:KZ', 'Kazakhstan', 'COUNTRY', 'KZ', 6, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'country:UZ', 'Uzbekistan', 'COUNTRY', 'UZ', 1, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'city:1176615', 'Islamabad', 'CITY', 'PK', 3, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'city:1526273', 'Astana', 'CITY', 'KZ', 1, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'region:central-asia', 'Central Asia', 'REGION', NULL, 1, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'org:foreign-office', 'Foreign Office', 'ORG', 'PK', 1, 1740830400000000);
INSERT INTO public.article_entities VALUES ('c9065503b12649f7a79a5458122129c8', 'org:oic-comstech', 'OIC-COMSTECH', 'ORG', NULL, 1, 1740830400000000);
INSERT INTO public.article_entities VALUES ('03accb975c58a6ee73b09a0133037954', 'country:PK', 'Pakistan', 'COUNTRY', NULL, 1, 1740830460000000);
INSERT INTO public.article_entities VALUES ('b336cd75019296f646561ce1112bd94d', 'country:KZ', 'Kazakhstan', 'COUNTRY', NULL, 1, 1740830520000000);


--
-- Data for Name: article_search; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.article_search VALUES ('c9065503b12649f7a79a5458122129c8', '''accompani'':144 ''across'':90 ''adorn'':175 ''agreement'':84 ''aim'':306 ''ali'':237 ''also'':230 ''amid'':328 ''announc'':191 ''arm'':67 ''arriv'':48 ''asia'':132,319 ''asif'':236 ''astana'':143 ''award'':206 ''began'':100 ''benefici'':304 ''bilater'':75,269 ''bridg'':314 ''busi'':248 ''cabinet'':154 ''central'':131,316 ''ceremoni'':55 ''challeng'':330 ''civilian'':205 ''close'':135 ''collabor'':292 ''confer'':196 ''conflict'':338 ''connect'':281 ''conting'':64 ''cooper'':276 ''countri'':121 ''current'':124 ''day'':24,104 ''deleg'':78,152 ''delegation-level'':77 ''deliv'':240 ''desir'':114 ''destin'':129 ''diplomat'':138 ''discuss'':271 ''diversifi'':324 ''earlier'':186 ''econom'':136 ''enhanc'':291 ''eurasia'':332 ''exchang'':287 ''expand'':275 ''expect'':94,231 ''export'':128 ''flag'':180 ''focus'':273 ''follow'':333 ''forc'':68 ''foreign'':251 ''forum'':249,297 ''greet'':52 ''guard'':56 ''high'':159 ''high-rank'':158 ''highest'':204 ''highlight'':111,253 ''hold'':74 ''honour'':58,182 ''includ'':153 ''intern'':296,326 ''islamabad'':9,19,26,141,172 ''jomart'':37 ''kassym'':36 ''kassym-jomart'':35 ''kazakh'':5,167 ''kazakhstan'':15,40,122,177,212,247,321 ''key'':312 ''land'':313 ''largest'':127 ''later'':221 ''latter'':217 ''leader'':70 ''level'':79,151 ''link'':139,315 ''logist'':279 ''meet'':80,233 ''memorandum'':86 ''minist'':13,29,155 ''month'':223 ''mous'':89 ''multipl'':91 ''mutual'':113,303 ''nation'':179,263 ''nishan'':199 ''nishan-i-pakistan'':198 ''offer'':257 ''offic'':170,252 ''offici'':43,105,161,298 ''ongo'':329 ''opportun'':260 ''pakistan'':10,108,125,201,202,246,305 ''pakistan-kazakhstan'':245 ''peopl'':284,286 ''people-to-peopl'':283 ''pm'':1 ''posit'':308 ''prepar'':63 ''presid'':6,17,34,49,98,145,168,188,193,210,227,235 ''prime'':12,28 ''rank'':160 ''receiv'':4,14,33 ''reflect'':133 ''region'':280,294 ''relat'':270 ''resid'':44 ''review'':265 ''russia'':336 ''russia-ukrain'':335 ''schedul'':218 ''secretariat'':190 ''sector'':92 ''seek'':322 ''senior'':150 ''senior-level'':149 ''set'':72 ''sever'':83 ''share'':164 ''sharif'':3,31 ''shehbaz'':2,30 ''showcas'':171 ''sign'':97 ''south'':318 ''speech'':242 ''stay'':226 ''street'':174 ''strengthen'':116,267 ''tdi'':27 ''tie'':117 ''time'':259 ''tokayev'':7,38,50,99,146,228 ''trade'':278,327 ''tuesday'':110 ''two'':23,103,120 ''two-day'':22,102 ''ukrain'':337 ''understand'':88 ''upon'':47 ''uzbekistan'':214 ''video'':163 ''view'':299 ''visit'':25,106,185,220,256,301 ''warm'':32 ''wednesday'':46 ''well'':62,289 ''well-prepar'':61 ''zardari'':194,238');
INSERT INTO public.article_search VALUES ('03accb975c58a6ee73b09a0133037954', '''1'':2 ''harvest'':4 ''headlin'':1 ''largest'':9 ''pakistan'':6 ''wheat'':3 ''year'':11');
INSERT INTO public.article_search VALUES ('b336cd75019296f646561ce1112bd94d', '''2'':2 ''capit'':11 ''headlin'':1 ''kazakhstan'':3 ''near'':9 ''new'':6 ''open'':4 ''plant'':8 ''solar'':7');


--
-- Data for Name: article_topics; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.article_topics VALUES ('c9065503b12649f7a79a5458122129c8', 'diplomacy', 0.92, 1740830400000000);
INSERT INTO public.article_topics VALUES ('c9065503b12649f7a79a5458122129c8', 'trade', 0.71, 1740830400000000);
INSERT INTO public.article_topics VALUES ('c9065503b12649f7a79a5458122129c8', 'connectivity', 0.64, 1740830400000000);
INSERT INTO public.article_topics VALUES ('03accb975c58a6ee73b09a0133037954', 'trade', 0.9, 1740830460000000);
INSERT INTO public.article_topics VALUES ('b336cd75019296f646561ce1112bd94d', 'energy', 0.8, 1740830520000000);


--
-- Data for Name: articles; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.articles VALUES ('c9065503b12649f7a79a5458122129c8', 0, 0, 1740830400000000, 1738729800000000, 'tdi', 'PM Shehbaz Sharif receives Kazakh President Tokayev in Islamabad', '{"id":"c9065503b12649f7a79a5458122129c8","url":"https://dailyindependent.example/2025/02/kazakh-president-tokayev-islamabad?utm_source=x","canonical_url":"https://dailyindependent.example/2025/02/kazakh-president-tokayev-islamabad","source":"tdi","title":"PM Shehbaz Sharif receives Kazakh President Tokayev in Islamabad","text":"Islamabad (TDI): Prime Minister Shehbaz Sharif warmly received President Kassym-Jomart Tokayev of Kazakhstan at his official residence on Wednesday. Upon arrival, President Tokayev was greeted with a ceremonial guard of honour by a well-prepared contingent of the armed forces.\nThe leaders are set to hold bilateral and delegation-level meetings, during which several agreements and Memorandums of Understanding (MoUs) across multiple sectors are expected to be signed.\nPresident Tokayev began his two-day official visit to Pakistan on Tuesday, highlighting the mutual desire to strengthen ties between the two countries. Kazakhstan is currently Pakistan’s largest export destination in Central Asia, reflecting the close economic and diplomatic links between Islamabad and Astana.\nAccompanying President Tokayev is a senior-level delegation, including cabinet ministers and other high-ranking officials. A video shared by the Kazakh President’s office showcased Islamabad’s streets adorned with Kazakhstan’s national flag in honour of the visit.\nEarlier, the President’s Secretariat announced that President Zardari will confer the Nishan-i-Pakistan, Pakistan’s highest civilian award, on both the presidents of Kazakhstan and Uzbekistan, with the latter scheduled to visit later this month.\nDuring his stay, President Tokayev is also expected to meet with President Asif Ali Zardari and deliver a speech at the Pakistan-Kazakhstan Business Forum.\nThe Foreign Office highlighted that the visit offers a timely opportunity for both nations to review and strengthen their bilateral relations. Discussions will focus on expanding cooperation in trade, logistics, regional connectivity, and people-to-people exchanges, as well as enhancing collaboration in regional and international forums.\nOfficials view the visit as mutually beneficial: Pakistan aims to position itself as a key land bridge linking Central and South Asia, while Kazakhstan seeks to diversify its international trade amid ongoing challenges in Eurasia following the Russia-Ukraine conflict.","authors":["Staff"],"published_at":"2025-02-05T04:30:00Z","fetched_at":"2025-02-05T05:00:00Z","language":"en","content_hash":"3a99cb1a3815a9fa3399bcd970095ef036191123ee5e7b860da46af7b8c3d549","schema_version":1,"entities":[{"id":"person:shehbaz-sharif","name":"Shehbaz Sharif","type":"PERSON","aliases":[],"country":"PK","salience":0.1,"mentions":[{"start":32,"end":46,"text":"Shehbaz Sharif"}]},{"id":"person:kassym-jomart-tokayev","name":"Kassym-Jomart Tokayev","type":"PERSON","aliases":["Tokayev"],"country":"KZ","salience":0.5,"mentions":[{"start":73,"end":94,"text":"Kassym-Jomart Tokayev"},{"start":173,"end":180,"text":"Tokayev"},{"start":480,"end":487,"text":"Tokayev"},{"start":805,"end":812,"text":"Tokayev"},{"start":1320,"end":1327,"text":"Tokayev"}]},{"id":"person:asif-ali-zardari","name":"Asif Ali Zardari","type":"PERSON","aliases":["Zardari"],"country":"PK","salience":0.2,"mentions":[{"start":1109,"end":1116,"text":"Zardari"},{"start":1368,"end":1384,"text":"Asif Ali Zardari"}]},{"id":"country:PK","name":"Pakistan","type":"COUNTRY","aliases":[],"country":"PK","salience":0.6,"mentions":[{"start":524,"end":532,"text":"Pakistan"},{"start":646,"end":654,"text":"Pakistan"},{"start":1142,"end":1150,"text":"Pakistan"},{"start":1152,"end":1160,"text":"Pakistan"},{"start":1413,"end":1421,"text":"Pakistan"},{"start":1838,"end":1846,"text":"Pakistan"}]},{"id":"country:KZ","name":"Kazakhstan","type":"COUNTRY","aliases":[],"country":"KZ","salience":0.6,"mentions":[{"start":98,"end":108,"text":"Kazakhstan"},{"start":622,"end":632,"text":"Kazakhstan"},{"start":996,"end":1006,"text":"Kazakhstan"},{"start":1213,"end":1223,"text":"Kazakhstan"},{"start":1422,"end":1432,"text":"Kazakhstan"},{"start":1930,"end":1940,"text":"Kazakhstan"}]},{"id":"country:UZ","name":"Uzbekistan","type":"COUNTRY","aliases":[],"country":"UZ","salience":0.1,"mentions":[{"start":1228,"end":1238,"text":"Uzbekistan"}]},{"id":"city:1176615","name":"Islamabad","type":"CITY","aliases":[],"country":"PK","salience":0.3,"mentions":[{"start":0,"end":9,"text":"Islamabad"},{"start":760,"end":769,"text":"Islamabad"},{"start":963,"end":972,"text":"Islamabad"}]},{"id":"city:1526273","name":"Astana","type":"CITY","aliases":[],"country":"KZ","salience":0.1,"mentions":[{"start":774,"end":780,"text":"Astana"}]},{"id":"region:central-asia","name":"Central Asia","type":"REGION","aliases":[],"country":null,"salience":0.1,"mentions":[{"start":687,"end":699,"text":"Central Asia"}]},{"id":"org:foreign-office","name":"Foreign Office","type":"ORG","aliases":[],"country":"PK","salience":0.1,"mentions":[{"start":1453,"end":1467,"text":"Foreign Office"}]},{"id":"org:oic-comstech","name":"OIC-COMSTECH","type":"ORG","aliases":[],"country":null,"salience":0.0,"mentions":[]}],"topics":[{"id":"diplomacy","label":"Diplomacy","score":0.92,"evidence":["official visit","bilateral relations"]},{"id":"trade","label":"Trade","score":0.71,"evidence":["export destination","international trade"]},{"id":"connectivity","label":"Connectivity","score":0.64,"evidence":["regional connectivity","land bridge"]}],"countries":["PK","KZ","UZ"],"summary":"Pakistan''s prime minister received Kazakhstan''s president in Islamabad for a two-day visit.","enriched_at":"2026-12-03T18:00:16.185916Z","enricher_version":"test"}', 1796320816186663);
INSERT INTO public.articles VALUES ('03accb975c58a6ee73b09a0133037954', 1, 0, 1740830460000000, 1740787260000000, 'dawn', 'Headline 1', '{"id":"03accb975c58a6ee73b09a0133037954","url":"https://news.example/dawn/1?utm_source=x","canonical_url":"https://news.example/dawn/1","source":"dawn","title":"Headline 1","text":"Wheat harvest in Pakistan was the largest in years.","authors":["Staff"],"published_at":"2025-03-01T00:01:00Z","fetched_at":"2025-02-05T05:00:00Z","language":"en","content_hash":"a77698da2fc3ec7e5baf1444126472f79249fec6f48b25f99a9596419abdc2c7","schema_version":1,"entities":[{"id":"country:PK","name":"Pakistan","type":"COUNTRY","aliases":[],"country":null,"salience":0.0,"mentions":[{"start":17,"end":25,"text":"Pakistan"}]}],"topics":[{"id":"trade","label":"Trade","score":0.9,"evidence":[]}],"countries":["PK"],"summary":"","enriched_at":"2026-12-03T18:00:16.186165Z","enricher_version":"test"}', 1796320816186663);
INSERT INTO public.articles VALUES ('b336cd75019296f646561ce1112bd94d', 0, 1, 1740830520000000, 1740787320000000, 'tengri', 'Headline 2', '{"id":"b336cd75019296f646561ce1112bd94d","url":"https://news.example/tengri/2?utm_source=x","canonical_url":"https://news.example/tengri/2","source":"tengri","title":"Headline 2","text":"Kazakhstan opens a new solar plant near the capital.","authors":["Staff"],"published_at":"2025-03-01T00:02:00Z","fetched_at":"2025-02-05T05:00:00Z","language":"en","content_hash":"8abc4b48d8f899498d33b58570912425f7a1e16b1ca165ee986190b3e766f94a","schema_version":1,"entities":[{"id":"country:KZ","name":"Kazakhstan","type":"COUNTRY","aliases":[],"country":null,"salience":0.0,"mentions":[{"start":0,"end":10,"text":"Kazakhstan"}]}],"topics":[{"id":"energy","label":"Energy","score":0.8,"evidence":[]}],"countries":["KZ"],"summary":"","enriched_at":"2026-12-03T18:00:16.186215Z","enricher_version":"test"}', 1796320816186663);


--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_migrations VALUES (1, 'articles, facets, positions, full-text index', 1796320816183418);


--
-- Data for Name: stream_positions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.stream_positions VALUES ('news.articles.enriched', 0, 2);
INSERT INTO public.stream_positions VALUES ('news.articles.enriched', 1, 1);


--
-- Name: article_countries article_countries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.article_countries
    ADD CONSTRAINT article_countries_pkey PRIMARY KEY (article_id, country);


--
-- Name: article_entities article_entities_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.article_entities
    ADD CONSTRAINT article_entities_pkey PRIMARY KEY (article_id, entity_id);


--
-- Name: article_search article_search_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.article_search
    ADD CONSTRAINT article_search_pkey PRIMARY KEY (article_id);


--
-- Name: article_topics article_topics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.article_topics
    ADD CONSTRAINT article_topics_pkey PRIMARY KEY (article_id, topic_id);


--
-- Name: articles articles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.articles
    ADD CONSTRAINT articles_pkey PRIMARY KEY (id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: stream_positions stream_positions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stream_positions
    ADD CONSTRAINT stream_positions_pkey PRIMARY KEY (topic, kafka_partition);


--
-- Name: article_countries_country; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX article_countries_country ON public.article_countries USING btree (country);


--
-- Name: article_entities_entity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX article_entities_entity ON public.article_entities USING btree (entity_id);


--
-- Name: article_entities_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX article_entities_time ON public.article_entities USING btree (event_time);


--
-- Name: article_search_document; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX article_search_document ON public.article_search USING gin (document);


--
-- Name: article_topics_topic; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX article_topics_topic ON public.article_topics USING btree (topic_id, event_time);


--
-- Name: articles_event_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX articles_event_time ON public.articles USING btree (event_time);


--
-- Name: articles_position; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX articles_position ON public.articles USING btree (kafka_partition, kafka_offset);


--
-- Name: articles_sort; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX articles_sort ON public.articles USING btree (sort_time DESC, id DESC);


--
-- Name: articles_source; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX articles_source ON public.articles USING btree (source, sort_time);


--
-- Name: article_countries article_countries_article_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.article_countries
    ADD CONSTRAINT article_countries_article_id_fkey FOREIGN KEY (article_id) REFERENCES public.articles(id) ON DELETE CASCADE;


--
-- Name: article_entities article_entities_article_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.article_entities
    ADD CONSTRAINT article_entities_article_id_fkey FOREIGN KEY (article_id) REFERENCES public.articles(id) ON DELETE CASCADE;


--
-- Name: article_search article_search_article_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.article_search
    ADD CONSTRAINT article_search_article_id_fkey FOREIGN KEY (article_id) REFERENCES public.articles(id) ON DELETE CASCADE;


--
-- Name: article_topics article_topics_article_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.article_topics
    ADD CONSTRAINT article_topics_article_id_fkey FOREIGN KEY (article_id) REFERENCES public.articles(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict bqTVPzmfJv9yfKRlY9Z15pkd4YjOH0Vot1nzXvSGIPPRupUzLeCRfPhH9CEegwx

