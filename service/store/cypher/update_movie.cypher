// An admin's new title, year and links for an existing movie; its genres and credits follow
// (replace_movie_facts). No row when the movie does not exist. search_title follows the title
// (service/store/search_text.py).
MATCH (m:Movie {id: $movie_id})
SET m.title = $title, m.search_title = $search_title, m.year = $year, m.imdb_id = $imdb_id,
    m.tmdb_id = $tmdb_id, m.updated_at = $now
RETURN m.id AS id
